"""Sign-in (Entra ID through msal, or dev login), the current user and guards."""
