"""The demo's merchants, people and orders (`manage.py demo_data`, `make run`)."""
