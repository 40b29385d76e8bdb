"""twinchat: turn a person's chat history into a chatbot that writes like them."""

__version__ = "0.1.0"
