"""The bundled sample export: a generated Telegram Desktop chat with an invented persona."""
