"""Constants shared by the tests."""

# Obviously fake, and distinctive enough to search for in any output.
CANARY_KEY = "FAKE-canary-key-0000-do-not-leak-7f3a"
CANARY_ACCOUNT = "canary@example.com"
