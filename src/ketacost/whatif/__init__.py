"""What-if work on top of estimates: savings tips and the comparison of routes."""
