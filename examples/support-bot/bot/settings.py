from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    anthropic_api_key: str
    support_bot_model: str = "claude-sonnet-4-5-20250929"
    max_tokens: int = 1024


settings = Settings()
