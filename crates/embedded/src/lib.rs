//! The embedded-io adapter of sanstls (being built).
#![no_std]
