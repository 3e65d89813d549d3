"""ddsearch web front end (Flask)."""
