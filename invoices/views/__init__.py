"""The staff pages under /invoices/: thin views, one module per page family."""
