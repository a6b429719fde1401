use serde::Serialize;

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

/// A list printed page by page as it is read (issue 31): one JSON array, or a line each.
pub struct Listed {
    json: bool,
    printed: usize,
}

impl Listed {
    pub fn start(json: bool) -> Self {
        if json {
            print!("[");
        }
        Listed { json, printed: 0 }
    }

    pub fn page<T: Serialize>(&mut self, items: &[T], human: impl Fn(&T) -> String) {
        for item in items {
            if self.json {
                match serde_json::to_string_pretty(item) {
                    Ok(s) => print!("{}\n{s}", if self.printed == 0 { "" } else { "," }),
                    Err(e) => eprintln!("lanyard: cannot encode output: {e}"),
                }
            } else {
                println!("{}", human(item));
            }
            self.printed += 1;
        }
    }

    pub fn finish(self) {
        if self.json {
            println!("{}]", if self.printed == 0 { "" } else { "\n" });
        }
    }
}
