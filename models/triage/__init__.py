"""The local triage classifier: features, training, prediction and persistence, on scrubbed text only."""
