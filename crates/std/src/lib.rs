//! The std adapter of sanstls (being built).
