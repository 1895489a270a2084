"""Tests of the package's top-level modules: keys, settings, errors and exports, secrets,
the CLI, --save (remember), properties; and the conformance baseline."""
