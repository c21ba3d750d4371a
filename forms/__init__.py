"""WTForms classes, one module per case type plus shared fields."""
