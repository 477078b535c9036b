//! Prints the diagnostics and the inventory of one Python file as JSON:
//! `cargo run -p async_task_ownership --example inventory -- app.py`.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: inventory FILE.py");
        std::process::exit(2);
    };
    let source = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: failed to read {path}: {e}");
            std::process::exit(2);
        }
    };
    let result = async_task_ownership::check_source(&source, &path, &Default::default());
    match serde_json::to_string_pretty(&result) {
        Ok(json) => println!("{json}"),
        Err(e) => eprintln!("error: {e}"),
    }
}
