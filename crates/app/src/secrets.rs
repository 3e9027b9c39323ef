//! Secrets: API tokens (random, shown once, stored as a SHA-256 hash) and passwords
//! (argon2). Nothing here is ever logged.

use argon2::password_hash::phc::PasswordHash;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// The prefix of every API token, so a leaked one is recognisable in a scan.
const TOKEN_PREFIX: &str = "kefu_";

/// A new random API token: 32 bytes from the OS, hex-encoded.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
}

/// The form a token is stored and looked up in.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fingerprint of a request body, for idempotency checks.
pub fn request_hash(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// How many bytes of the HMAC a signed link carries (128 bits).
const LINK_MAC_BYTES: usize = 16;

/// A new random key for signing links (32 bytes, hex).
pub fn new_link_key() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

fn link_mac(key: &[u8], purpose: &str, id: i64) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("kefu:{purpose}:{id}").as_bytes());
    mac
}

/// A link token for `id` signed with `key`: `{id}-{mac}`. The same id always gives the
/// same token, so a link can be shown again without storing it; nothing secret is kept
/// beside the id.
pub fn sign_link(key: &[u8], purpose: &str, id: i64) -> String {
    let mac = link_mac(key, purpose, id).finalize().into_bytes();
    format!("{id}-{}", hex::encode(&mac[..LINK_MAC_BYTES]))
}

/// The id of a link token signed with `key` for `purpose`; `None` if it was not (checked
/// in constant time).
pub fn verify_link(key: &[u8], purpose: &str, token: &str) -> Option<i64> {
    let (id, mac) = token.split_once('-')?;
    let id: i64 = id.parse().ok()?;
    let mac = hex::decode(mac).ok()?;
    if mac.len() != LINK_MAC_BYTES {
        return None;
    }
    link_mac(key, purpose, id).verify_truncated_left(&mac).ok()?;
    Some(id)
}

pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// A real argon2 hash of a password nobody has, checked when the e-mail is unknown so a
/// failed sign-in takes as long whether or not the account exists.
pub fn dummy_password_hash() -> &'static str {
    static HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| hash_password("kefu: no such account").unwrap_or_default());
    &HASH
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(hash) => Argon2::default().verify_password(password.as_bytes(), &hash).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_links_verify_only_with_their_key_and_purpose() {
        let key = new_link_key().unwrap();
        let token = sign_link(key.as_bytes(), "survey", 42);
        assert_eq!(verify_link(key.as_bytes(), "survey", &token), Some(42));
        assert_eq!(sign_link(key.as_bytes(), "survey", 42), token);
        assert_eq!(verify_link(b"another key", "survey", &token), None);
        assert_eq!(verify_link(key.as_bytes(), "portal", &token), None);
        let forged = token.replacen("42-", "43-", 1);
        assert_eq!(verify_link(key.as_bytes(), "survey", &forged), None);
        assert_eq!(verify_link(key.as_bytes(), "survey", "42"), None);
        assert_eq!(verify_link(key.as_bytes(), "survey", "42-zz"), None);
    }

    #[test]
    fn tokens_are_unique_and_hashed() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("kefu_") && a.len() == 5 + 64);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn passwords_verify() {
        let stored = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &stored));
        assert!(!verify_password("wrong horse", &stored));
    }
}
