//! `file_output`: appends one line per alert to a file.

use super::{BuildError, FailReason, Output, OutputContext, OutputError, Rendered};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

/// `file_output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `enabled` (default false).
    pub enabled: bool,
    /// `keep_alive` (default false): when false the file is opened,
    /// written and closed for every alert, so it may be moved at any time;
    /// when true it stays open until SIGUSR1 reopens it.
    pub keep_alive: bool,
    /// `filename` (default `./events.txt`).
    pub filename: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: false,
            keep_alive: false,
            filename: PathBuf::from("./events.txt"),
        }
    }
}

impl Config {
    /// Builds the output; fails only on an empty file name.
    pub fn build(&self, _cx: &OutputContext) -> Result<Box<dyn Output>, BuildError> {
        if self.filename.as_os_str().is_empty() {
            return Err(BuildError::Missing {
                output: "file",
                key: "filename",
            });
        }
        Ok(Box::new(FileOutput {
            cfg: self.clone(),
            file: None,
        }))
    }
}

/// Appends alerts to a file.
#[derive(Debug)]
pub struct FileOutput {
    cfg: Config,
    file: Option<BufWriter<File>>,
}

impl FileOutput {
    fn open(&self) -> Result<BufWriter<File>, OutputError> {
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.cfg.filename)
            .map(BufWriter::new)
            .map_err(|e| {
                OutputError::new(
                    FailReason::Open,
                    format!(
                        "failed to open output file {}: {e}",
                        self.cfg.filename.display()
                    ),
                )
            })
    }
}

impl Output for FileOutput {
    fn name(&self) -> &'static str {
        "file"
    }

    fn emit(&mut self, alert: &Rendered) -> Result<(), OutputError> {
        let mut f = match self.file.take() {
            Some(f) => f,
            None => self.open()?,
        };
        let res = f
            .write_all(alert.line.as_bytes())
            .and_then(|()| f.write_all(b"\n"));
        if self.cfg.keep_alive {
            self.file = Some(f);
        } else if res.is_ok() {
            f.flush()
                .map_err(|e| OutputError::new(FailReason::Write, e))?;
        }
        res.map_err(|e| OutputError::new(FailReason::Write, e))
    }

    fn flush(&mut self) -> Result<(), OutputError> {
        match &mut self.file {
            Some(f) => f
                .flush()
                .map_err(|e| OutputError::new(FailReason::Write, e)),
            None => Ok(()),
        }
    }

    fn reopen(&mut self) -> Result<(), OutputError> {
        self.flush()?;
        self.file = None;
        Ok(())
    }

    fn check(&mut self) -> Result<(), OutputError> {
        let f = self.open()?;
        if self.cfg.keep_alive {
            self.file = Some(f);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{cx, rendered};
    use super::*;

    fn run(keep_alive: bool) {
        let dir = std::env::temp_dir().join(format!(
            "falcon-file-out-{}-{keep_alive}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("events.txt");
        std::fs::write(&path, "old\n").unwrap();
        let cfg = Config {
            enabled: true,
            keep_alive,
            filename: path.clone(),
        };
        let mut o = cfg.build(&cx()).unwrap();
        o.check().unwrap();
        o.emit(&rendered("one")).unwrap();
        // Moved away (logrotate): a reopen writes to a new file.
        let moved = dir.join("events.txt.1");
        std::fs::rename(&path, &moved).unwrap();
        if keep_alive {
            o.emit(&rendered("two")).unwrap();
            o.reopen().unwrap();
        }
        o.emit(&rendered("three")).unwrap();
        o.flush().unwrap();
        let old = std::fs::read_to_string(&moved).unwrap();
        let new = std::fs::read_to_string(&path).unwrap();
        if keep_alive {
            assert_eq!(old, "old\none\ntwo\n");
        } else {
            assert_eq!(old, "old\none\n");
        }
        assert_eq!(new, "three\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn appends_and_reopens() {
        run(false);
        run(true);
    }

    #[test]
    fn unwritable_path_fails_per_alert() {
        let cfg = Config {
            enabled: true,
            keep_alive: false,
            filename: "/nonexistent-dir/x/events.txt".into(),
        };
        let mut o = cfg.build(&cx()).unwrap();
        assert!(o.check().is_err());
        let e = o.emit(&rendered("x")).unwrap_err();
        assert_eq!(e.reason, FailReason::Open);
        assert!(e.detail.contains("failed to open output file"));
    }
}
