//! Entra ID credentials for the sink (events.md §5.5).

use std::sync::Arc;

use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};

use super::config::EntraCredential;
use crate::error::SinkError;
use crate::redact::redact;

/// Tries its credentials in order and keeps using the first that produced a token.
#[derive(Debug)]
struct ChainedCredential {
    sources: Vec<(&'static str, Arc<dyn TokenCredential>)>,
    chosen: std::sync::Mutex<Option<usize>>,
}

#[async_trait::async_trait]
impl TokenCredential for ChainedCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let chosen = *self.chosen.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(index) = chosen {
            return self.sources[index].1.get_token(scopes, options).await;
        }
        let mut failures = Vec::new();
        for (index, (name, source)) in self.sources.iter().enumerate() {
            match source.get_token(scopes, options.clone()).await {
                Ok(token) => {
                    *self.chosen.lock().unwrap_or_else(|p| p.into_inner()) = Some(index);
                    tracing::info!(credential = name, "Entra ID credential selected");
                    return Ok(token);
                }
                Err(error) => failures.push(format!("{name}: {}", redact(&error.to_string()))),
            }
        }
        Err(azure_core::Error::with_message(
            azure_core::error::ErrorKind::Credential,
            format!(
                "no Entra ID credential produced a token ({})",
                failures.join("; ")
            ),
        ))
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn environment_credential() -> Result<Option<Arc<dyn TokenCredential>>, SinkError> {
    let (Some(tenant), Some(client), Some(secret)) = (
        env("AZURE_TENANT_ID"),
        env("AZURE_CLIENT_ID"),
        env("AZURE_CLIENT_SECRET"),
    ) else {
        return Ok(None);
    };
    let credential =
        azure_identity::ClientSecretCredential::new(&tenant, client, Secret::new(secret), None)
            .map_err(|e| credential_error("environment", &e))?;
    Ok(Some(credential))
}

fn credential_error(name: &str, error: &azure_core::Error) -> SinkError {
    SinkError::InvalidConfig(format!(
        "cannot create the {name} credential: {}",
        redact(&error.to_string())
    ))
}

/// Builds the credential the configuration asks for.
pub(crate) fn entra_credential(
    kind: EntraCredential,
) -> Result<Arc<dyn TokenCredential>, SinkError> {
    let workload = || -> Result<Arc<dyn TokenCredential>, SinkError> {
        Ok(azure_identity::WorkloadIdentityCredential::new(None)
            .map_err(|e| credential_error("workload identity", &e))?)
    };
    let managed = || -> Result<Arc<dyn TokenCredential>, SinkError> {
        Ok(azure_identity::ManagedIdentityCredential::new(None)
            .map_err(|e| credential_error("managed identity", &e))?)
    };
    let developer = || -> Result<Arc<dyn TokenCredential>, SinkError> {
        Ok(azure_identity::DeveloperToolsCredential::new(None)
            .map_err(|e| credential_error("developer tools", &e))?)
    };
    match kind {
        EntraCredential::Environment => environment_credential()?.ok_or_else(|| {
            SinkError::InvalidConfig(
                "the environment credential needs AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET".into(),
            )
        }),
        EntraCredential::WorkloadIdentity => workload(),
        EntraCredential::ManagedIdentity => managed(),
        EntraCredential::DeveloperTools => developer(),
        EntraCredential::Auto => {
            let mut sources: Vec<(&'static str, Arc<dyn TokenCredential>)> = Vec::new();
            if let Some(credential) = environment_credential()? {
                sources.push(("environment", credential));
            }
            // Workload identity is only configured inside a federated pod.
            if env("AZURE_FEDERATED_TOKEN_FILE").is_some() {
                if let Ok(credential) = workload() {
                    sources.push(("workload_identity", credential));
                }
            }
            if let Ok(credential) = managed() {
                sources.push(("managed_identity", credential));
            }
            sources.push(("developer_tools", developer()?));
            Ok(Arc::new(ChainedCredential {
                sources,
                chosen: Default::default(),
            }))
        }
    }
}
