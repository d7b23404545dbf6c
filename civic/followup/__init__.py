"""Follow-up of what was decided: the implementation records of the winning projects and accepted proposals."""
