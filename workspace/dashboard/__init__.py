"""The home dashboard (`/`): the day's and the month's numbers, with charts."""
