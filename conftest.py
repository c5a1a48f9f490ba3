"""Repository-wide test setup: tests never pick up the demo's jobify.toml by accident."""

import os

# A bare Jobify() reads ./jobify.toml; tests opt in explicitly (JOBIFY_CONFIG or from_config).
os.environ["JOBIFY_CONFIG"] = ""
