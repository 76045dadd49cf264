"""OpenStackClient plugin that makes instance snapshots first-class."""
