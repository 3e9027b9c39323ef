//! A small SMTP server for the tests: it accepts every mail on loopback and keeps it, so a
//! test can read what a customer would have received. Only what lettre sends is spoken.

use mail_parser::MessageParser;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A mail as the recipient reads it.
#[derive(Debug, Clone)]
pub struct CaughtMail {
    pub to: String,
    pub subject: String,
    /// The text, with line ends as `\n` (how the transfer encoding wrote them is not
    /// what the test is about).
    pub body: String,
}

impl CaughtMail {
    /// The first link in the body that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> Option<String> {
        let start = self.body.find(prefix)?;
        Some(self.body[start..].split_whitespace().next().unwrap_or_default().to_owned())
    }
}

pub struct MailCatcher {
    port: u16,
    mails: Arc<Mutex<Vec<CaughtMail>>>,
}

impl MailCatcher {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let port = listener.local_addr().expect("addr").port();
        let mails: Arc<Mutex<Vec<CaughtMail>>> = Arc::default();
        let store = mails.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, store.clone()));
            }
        });
        MailCatcher { port, mails }
    }

    /// lettre's URL for this server (plain SMTP on loopback).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn mails(&self) -> Vec<CaughtMail> {
        self.mails.lock().expect("mails").clone()
    }

    /// Waits (up to 15 s) until at least `n` mails arrived; all of them.
    pub async fn wait_for(&self, n: usize) -> Vec<CaughtMail> {
        for _ in 0..150 {
            let mails = self.mails();
            if mails.len() >= n {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {n} mails, got {:?}", self.mails());
    }
}

async fn serve(socket: tokio::net::TcpStream, mails: Arc<Mutex<Vec<CaughtMail>>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 catcher ESMTP\r\n").await;
    let mut to = String::new();
    while let Ok(Some(line)) = lines.next_line().await {
        let command = line.to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
            b"250 catcher\r\n"
        } else if command.starts_with("RCPT TO:") {
            to = line[8..].trim().trim_matches(|c| c == '<' || c == '>').to_owned();
            b"250 OK\r\n"
        } else if command == "DATA" {
            let _ = write.write_all(b"354 go ahead\r\n").await;
            let mut data = String::new();
            while let Ok(Some(line)) = lines.next_line().await {
                if line == "." {
                    break;
                }
                // Dot-stuffing: a leading dot was doubled by the sender.
                data.push_str(line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line));
                data.push_str("\r\n");
            }
            let message = MessageParser::default().parse(data.as_bytes()).expect("a MIME message");
            mails.lock().expect("mails").push(CaughtMail {
                to: to.clone(),
                subject: message.subject().unwrap_or_default().to_owned(),
                body: message.body_text(0).map(|b| b.replace("\r\n", "\n")).unwrap_or_default(),
            });
            b"250 OK queued\r\n"
        } else if command == "QUIT" {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"250 OK\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}
