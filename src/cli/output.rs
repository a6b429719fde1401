use std::fmt::Display;
use std::io::Write;
use std::str::FromStr;

use serde::Serialize;

use crate::domain::listing::{Listing, Position};

/// Prints `value` as JSON, or the text `human` makes of it.
pub fn emit<T: Serialize>(json: bool, value: &T, human: impl FnOnce(&T) -> String) {
    if json {
        match serde_json::to_string_pretty(value) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("lanyard: cannot encode output: {e}"),
        }
    } else {
        println!("{}", human(value));
    }
}

/// A yes/no flag as operators type it.
pub fn on_off(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Ok(true),
        "off" | "false" | "no" | "0" => Ok(false),
        _ => Err(format!("expected on or off, got {s:?}")),
    }
}

/// A list printed page by page as `read` answers them, from the first to the last (issue 31):
/// one JSON array, or a line each; never held whole. A reader that stops reading (`| head`)
/// ends the walk quietly.
pub async fn print_pages<T: Serialize, K: Display + FromStr, E>(
    json: bool,
    mut read: impl AsyncFnMut(&Position<K>) -> Result<Listing<T>, E>,
    human: impl Fn(&T) -> String,
) -> Result<(), E> {
    let mut out = Listed { json, printed: 0, out: std::io::stdout().lock() };
    let mut from = Position::First;
    let written = async {
        out.start()?;
        loop {
            let page = match read(&from).await {
                Ok(page) => page,
                Err(e) => return Ok(Err(e)),
            };
            out.page(&page.entries, &human)?;
            match page.next_cursor.as_deref().and_then(Position::from_cursor) {
                Some(next) => from = next,
                None => break,
            }
        }
        out.finish().map(Ok)
    };
    match written.await {
        Ok(result) => result,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            eprintln!("lanyard: cannot write output: {e}");
            Ok(())
        }
    }
}

/// A JSON array, or lines, written as the items come.
struct Listed<W: Write> {
    json: bool,
    printed: usize,
    out: W,
}

impl<W: Write> Listed<W> {
    fn start(&mut self) -> std::io::Result<()> {
        if self.json { write!(self.out, "[") } else { Ok(()) }
    }

    fn page<T: Serialize>(&mut self, items: &[T], human: impl Fn(&T) -> String) -> std::io::Result<()> {
        for item in items {
            if self.json {
                let sep = if self.printed == 0 { "" } else { "," };
                match serde_json::to_string_pretty(item) {
                    Ok(s) => write!(self.out, "{sep}\n{s}")?,
                    Err(e) => eprintln!("lanyard: cannot encode output: {e}"),
                }
            } else {
                writeln!(self.out, "{}", human(item))?;
            }
            self.printed += 1;
        }
        self.out.flush()
    }

    fn finish(mut self) -> std::io::Result<()> {
        if self.json {
            writeln!(self.out, "{}]", if self.printed == 0 { "" } else { "\n" })?;
        }
        self.out.flush()
    }
}
