"""Official answers to proposals, by elected officials."""
