"""Display formats for British English: 24-hour times everywhere, the admin included, as the app's pages show them
(Django's en-GB default writes "4:30 p.m.")."""

DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
