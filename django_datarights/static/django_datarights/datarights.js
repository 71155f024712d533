/* Progressive enhancement for the privacy pages: everything works without it. */
