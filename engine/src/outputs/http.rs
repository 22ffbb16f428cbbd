//! `http_output`: one POST per alert (libcurl, as Falco), on the output's
//! own thread so a slow or dead endpoint only fills its own queue.
//!
//! Differences from Falco, on purpose: an HTTP status of 400 or more
//! counts as `failed` (Falco ignores the status), and a connect timeout of
//! 10 s and a total timeout of 30 s are set (Falco keeps curl's defaults,
//! which can block its only output thread for minutes).

use super::{BuildError, FailReason, Output, OutputContext, OutputError, Rendered};
use curl::easy::{Easy, List};
use std::io::Write;
use std::time::Duration;

/// `http_output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `enabled` (default false).
    pub enabled: bool,
    /// `url`; surrounding quotes are stripped, as Falco does.
    pub url: String,
    /// `user_agent` (default `falcosecurity/falco`).
    pub user_agent: String,
    /// `insecure` (default false): skip certificate and host checks.
    pub insecure: bool,
    /// `ca_cert`: a CA file (takes precedence over `ca_bundle`).
    pub ca_cert: String,
    /// `ca_bundle`: a CA bundle file.
    pub ca_bundle: String,
    /// `ca_path` (default `/etc/ssl/certs`): a CA directory, used when
    /// neither file is set.
    pub ca_path: String,
    /// `mtls` (default false): present `client_cert`/`client_key`.
    pub mtls: bool,
    /// `client_cert` (default `/etc/ssl/certs/client.crt`).
    pub client_cert: String,
    /// `client_key` (default `/etc/ssl/certs/client.key`).
    pub client_key: String,
    /// `echo` (default false): print response bodies to stdout.
    pub echo: bool,
    /// `compress_uploads` (default false): ask for a compressed response
    /// (what Falco's option actually does).
    pub compress_uploads: bool,
    /// `keep_alive` (default false): TCP keep-alive.
    pub keep_alive: bool,
    /// `max_consecutive_timeouts` (default 5): retries after a timeout.
    pub max_consecutive_timeouts: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: false,
            url: String::new(),
            user_agent: "falcosecurity/falco".into(),
            insecure: false,
            ca_cert: String::new(),
            ca_bundle: String::new(),
            ca_path: "/etc/ssl/certs".into(),
            mtls: false,
            client_cert: "/etc/ssl/certs/client.crt".into(),
            client_key: "/etc/ssl/certs/client.key".into(),
            echo: false,
            compress_uploads: false,
            keep_alive: false,
            max_consecutive_timeouts: 5,
        }
    }
}

fn strip_quotes(s: &str) -> &str {
    let t = s.trim();
    for q in ['"', '\''] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return &t[1..t.len() - 1];
        }
    }
    t
}

impl Config {
    /// Builds the output; fails on a missing or non-HTTP(S) URL.
    pub fn build(&self, cx: &OutputContext) -> Result<Box<dyn Output>, BuildError> {
        let url = strip_quotes(&self.url).to_string();
        if url.is_empty() {
            return Err(BuildError::Missing {
                output: "http",
                key: "url",
            });
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(BuildError::Invalid {
                output: "http",
                key: "url",
                why: format!("'{url}' is not an http:// or https:// URL"),
            });
        }
        let invalid = |e: curl::Error| BuildError::Invalid {
            output: "http",
            key: "url",
            why: e.to_string(),
        };
        let mut easy = Easy::new();
        easy.url(&url).map_err(invalid)?;
        easy.post(true).map_err(invalid)?;
        easy.useragent(&self.user_agent).map_err(invalid)?;
        let mut headers = List::new();
        let ctype = if cx.json {
            "Content-Type: application/json"
        } else {
            "Content-Type: text/plain"
        };
        headers.append(ctype).map_err(invalid)?;
        easy.http_headers(headers).map_err(invalid)?;
        if self.insecure {
            easy.ssl_verify_peer(false).map_err(invalid)?;
            easy.ssl_verify_host(false).map_err(invalid)?;
        }
        if !self.ca_cert.is_empty() {
            easy.cainfo(&self.ca_cert).map_err(invalid)?;
        } else if !self.ca_bundle.is_empty() {
            easy.cainfo(&self.ca_bundle).map_err(invalid)?;
        } else if !self.ca_path.is_empty() && url.starts_with("https://") {
            easy.capath(&self.ca_path).map_err(invalid)?;
        }
        if self.mtls {
            easy.ssl_cert(&self.client_cert).map_err(invalid)?;
            easy.ssl_key(&self.client_key).map_err(invalid)?;
        }
        if self.compress_uploads {
            easy.accept_encoding("").map_err(invalid)?;
        }
        if self.keep_alive {
            easy.tcp_keepalive(true).map_err(invalid)?;
        }
        easy.connect_timeout(Duration::from_secs(10))
            .map_err(invalid)?;
        easy.timeout(Duration::from_secs(30)).map_err(invalid)?;
        let echo = self.echo;
        easy.write_function(move |data| {
            if echo {
                let _ = std::io::stdout().write_all(data);
            }
            Ok(data.len())
        })
        .map_err(invalid)?;
        Ok(Box::new(HttpOutput {
            easy,
            url,
            retries: self.max_consecutive_timeouts,
        }))
    }
}

/// POSTs alerts to a URL.
pub struct HttpOutput {
    easy: Easy,
    url: String,
    retries: u32,
}

impl std::fmt::Debug for HttpOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpOutput")
            .field("url", &self.url)
            .finish()
    }
}

impl Output for HttpOutput {
    fn name(&self) -> &'static str {
        "http"
    }

    fn emit(&mut self, alert: &Rendered) -> Result<(), OutputError> {
        let fail = |e: &dyn std::fmt::Display| {
            OutputError::new(
                FailReason::Http,
                format!("libcurl failed to perform call: {e}"),
            )
        };
        self.easy
            .post_fields_copy(alert.line.as_bytes())
            .map_err(|e| fail(&e))?;
        let mut tries = 0;
        loop {
            match self.easy.perform() {
                Ok(()) => break,
                Err(e) if e.is_operation_timedout() && tries < self.retries => tries += 1,
                Err(e) => return Err(fail(&e)),
            }
        }
        let code = self.easy.response_code().map_err(|e| fail(&e))?;
        if code >= 400 {
            return Err(OutputError::new(
                FailReason::Http,
                format!("{} answered HTTP {code}", self.url),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::rendered;
    use super::super::{FailReason, OutputContext};
    use super::*;
    use std::io::{BufRead, BufReader, Read};
    use std::net::TcpListener;

    /// Serves `n` requests with `status`, returning (head, body) of each.
    fn server(status: u16, n: usize) -> (String, std::thread::JoinHandle<Vec<(String, String)>>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/alerts", l.local_addr().unwrap());
        let h = std::thread::spawn(move || {
            let mut got = Vec::new();
            for _ in 0..n {
                let (s, _) = l.accept().unwrap();
                let mut r = BufReader::new(s.try_clone().unwrap());
                let mut head = String::new();
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    r.read_line(&mut line).unwrap();
                    if line == "\r\n" || line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap();
                    }
                    head.push_str(&line);
                }
                let mut body = vec![0u8; len];
                r.read_exact(&mut body).unwrap();
                let mut s = s;
                write!(
                    s,
                    "HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                )
                .unwrap();
                got.push((head, String::from_utf8(body).unwrap()));
            }
            got
        });
        (url, h)
    }

    fn cfg(url: &str) -> Config {
        Config {
            enabled: true,
            url: format!("\"{url}\""),
            ..Config::default()
        }
    }

    #[test]
    fn posts_each_alert() {
        let (url, h) = server(200, 2);
        let cx = OutputContext {
            json: true,
            buffered: false,
        };
        let mut o = cfg(&url).build(&cx).unwrap();
        o.emit(&rendered(r#"{"rule":"a"}"#)).unwrap();
        o.emit(&rendered(r#"{"rule":"b"}"#)).unwrap();
        let got = h.join().unwrap();
        assert!(got[0].0.starts_with("POST /alerts HTTP/1.1"));
        assert!(got[0].0.contains("Content-Type: application/json"));
        assert!(got[0].0.contains("User-Agent: falcosecurity/falco"));
        assert_eq!(got[0].1, r#"{"rule":"a"}"#);
        assert_eq!(got[1].1, r#"{"rule":"b"}"#);
    }

    #[test]
    fn error_status_and_refused_connection_fail() {
        let (url, h) = server(500, 1);
        let cx = super::super::testutil::cx();
        let mut o = cfg(&url).build(&cx).unwrap();
        let e = o.emit(&rendered("x")).unwrap_err();
        assert_eq!(e.reason, FailReason::Http);
        assert!(h.join().unwrap()[0].0.contains("Content-Type: text/plain"));
        // Nothing listens there any more.
        let e = o.emit(&rendered("y")).unwrap_err();
        assert!(e.detail.contains("libcurl failed to perform call"), "{e}");
    }

    #[test]
    fn bad_urls_do_not_build() {
        let cx = super::super::testutil::cx();
        assert!(Config::default().build(&cx).is_err());
        assert!(cfg("ftp://x").build(&cx).is_err());
    }
}
