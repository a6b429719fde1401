use std::process::ExitCode;

fn main() -> ExitCode {
    lanyard::cli::main()
}
