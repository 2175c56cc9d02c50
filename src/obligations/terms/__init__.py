"""Agreement terms and company facts as frozen pydantic models, loaded from config/."""
