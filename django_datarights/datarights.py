"""The app's own personal data, registered like any host app's."""
