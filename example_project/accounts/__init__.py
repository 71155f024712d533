"""Account pages of the example shop: second-factor set-up and changing the email address."""
