"""The pages the law requires (mentions légales, personal data, accessibility, site map) and the logo."""
