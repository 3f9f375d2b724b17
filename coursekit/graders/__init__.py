"""Hidden checks and mutants, one module per nnlib exercise module (instructor only)."""
