//! Test-only root package.
