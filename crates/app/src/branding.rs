//! The public pages' look (name, welcome text, accent colour, logo), set by an admin and
//! read by every portal and help-center page, so it is cached for a few seconds (other
//! nodes of a PostgreSQL deployment see a change within that time).

use crate::attachments::Files;
use crate::audit::audit;
use crate::error::{AppError, AppResult};
use crate::{Actor, App, now};
use kefu_domain::attachment::Upload;
use kefu_domain::branding::{self, Branding, MAX_LOGO_BYTES};
use kefu_domain::{FieldError, FieldErrors};
use kefu_store::branding::{branding as stored_branding, logo_bytes, save_branding};
use serde::Deserialize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use utoipa::ToSchema;

/// How long a read branding is used before it is read again.
const FRESH_FOR: Duration = Duration::from_secs(10);

/// The pictures a logo may be (shown inline on every public page).
const LOGO_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

#[derive(Default)]
pub(crate) struct BrandingCache(Mutex<Option<(Instant, Arc<Branding>)>>);

/// A branding change; fields left out keep their value.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct BrandingInput {
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub welcome_zh: Option<String>,
    pub welcome_en: Option<String>,
    /// `#rrggbb`, or empty for Kefu's colour.
    pub accent: Option<String>,
    /// `true` takes the logo away.
    pub remove_logo: Option<bool>,
}

impl App {
    /// The branding of the public pages. A database that does not answer is no reason to
    /// fail a public page: Kefu's own look is used then.
    pub async fn branding(&self) -> Arc<Branding> {
        if let Ok(cache) = self.branding.0.lock()
            && let Some((read_at, branding)) = cache.as_ref()
            && read_at.elapsed() < FRESH_FOR
        {
            return branding.clone();
        }
        match stored_branding(self.db().read()).await {
            Ok(branding) => {
                let branding = Arc::new(branding);
                if let Ok(mut cache) = self.branding.0.lock() {
                    *cache = Some((Instant::now(), branding.clone()));
                }
                branding
            }
            Err(error) => {
                tracing::warn!(%error, "branding could not be read; using the default look");
                Arc::default()
            }
        }
    }

    /// Changes the branding (admins); `logo` replaces the logo. Refused, writing nothing,
    /// for texts too long, a colour that is not `#rrggbb`, or a logo that is not a
    /// picture of at most 512 KB.
    pub async fn set_branding(&self, actor: &Actor, input: BrandingInput, logo: Option<Upload>) -> AppResult<Branding> {
        actor.require_admin("the portal's branding")?;
        let current = stored_branding(self.db().read()).await?;
        let mut next = Branding {
            name_zh: input.name_zh.unwrap_or(current.name_zh),
            name_en: input.name_en.unwrap_or(current.name_en),
            welcome_zh: input.welcome_zh.unwrap_or(current.welcome_zh),
            welcome_en: input.welcome_en.unwrap_or(current.welcome_en),
            accent: input.accent.unwrap_or(current.accent),
            logo_type: current.logo_type,
            logo_sha256: current.logo_sha256,
        };
        let mut errors = branding::check(&mut next).err().unwrap_or_default();
        let logo = match logo.map(|upload| Files::check(vec![upload])) {
            None => None,
            Some(Err(refused)) => {
                errors.0.extend(refused.0.into_iter().map(|mut e| {
                    e.field = "logo".into();
                    e
                }));
                None
            }
            Some(Ok(files)) => match files.single() {
                Some((file, sha256)) if LOGO_TYPES.contains(&file.content_type) && file.bytes.len() <= MAX_LOGO_BYTES => {
                    next.logo_type = Some(file.content_type.to_owned());
                    next.logo_sha256 = Some(sha256.to_owned());
                    Some(file.bytes.clone())
                }
                _ => {
                    errors.push(FieldError::new(
                        "logo",
                        "invalid_logo",
                        "a PNG, JPEG, GIF or WebP picture of at most 512 KB",
                    ));
                    None
                }
            },
        };
        if input.remove_logo == Some(true) {
            next.logo_type = None;
            next.logo_sha256 = None;
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(FieldErrors(errors.0)));
        }
        let by = actor.id;
        let saved = next.clone();
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    save_branding(tx.exec(), &saved, logo.as_deref(), now()).await?;
                    audit(tx, Some(by), "branding.update", ("branding", None), &saved).await
                })
            })
            .await?;
        if let Ok(mut cache) = self.branding.0.lock() {
            *cache = None;
        }
        Ok(next)
    }

    /// The logo's type and bytes, if there is one.
    pub async fn portal_logo(&self) -> AppResult<Option<(String, Vec<u8>)>> {
        Ok(logo_bytes(self.db().read()).await?)
    }
}
