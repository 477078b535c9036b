//! Parses and checks any UTF-8 input: no input may panic or crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Invalid UTF-8 is the caller's concern: the entry point takes `&str`.
    if let Ok(source) = std::str::from_utf8(data) {
        let _ = async_task_ownership::check_source(source, "fuzz.py", &Default::default());
    }
});
