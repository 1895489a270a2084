"""The test suite: one folder per layer of ``oncehub_nb``, shared helpers at this level."""
