"""Following proposals and decisions, the e-mails that follow, and one-click unsubscribing."""
