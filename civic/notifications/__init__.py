"""The e-mails residents get about what they take part in, and one-click unsubscribing."""
