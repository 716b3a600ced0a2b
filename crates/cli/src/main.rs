//! The `sanstls` command line (being built).

fn main() {
    eprintln!("sanstls: the command line is being built");
    std::process::exit(2);
}
