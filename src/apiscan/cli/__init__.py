"""The command line: one module per verb; `main.py` wires them into one click group."""
