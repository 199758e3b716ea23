"""Demo data for development and demos (`manage.py demo_data`, `make run`)."""
