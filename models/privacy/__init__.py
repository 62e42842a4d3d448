"""Privacy audits of trained models: vocabulary scan, membership inference, differential privacy."""
