//! CHECK / RESULT lines.

use std::process::ExitCode;

pub struct Report {
    mode: String,
    passed: u32,
    failed: u32,
}

impl Report {
    pub fn new(mode: &str) -> Self {
        Report {
            mode: mode.to_owned(),
            passed: 0,
            failed: 0,
        }
    }

    pub fn check(&mut self, name: &str, res: Result<(), String>) {
        match res {
            Ok(()) => {
                self.passed += 1;
                println!("CHECK {name} ok");
            }
            Err(why) => {
                self.failed += 1;
                println!("CHECK {name} FAIL: {why}");
            }
        }
    }

    pub fn ok(&mut self, name: &str, cond: bool, why: impl FnOnce() -> String) {
        self.check(name, if cond { Ok(()) } else { Err(why()) });
    }

    pub fn finish(&self) -> ExitCode {
        println!(
            "RESULT {} passed={} failed={}",
            self.mode, self.passed, self.failed
        );
        if self.failed == 0 && self.passed > 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}
