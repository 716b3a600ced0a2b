#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sanstls_proto::fuzzing::pair::run(data));
