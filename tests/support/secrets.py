"""The tests' own secrets: real-looking, so EMENTOR_ENV=test accepts them (it refuses the published
development placeholders, as every environment but development does)."""

TEST_ADMIN_TOKEN = "test-operator-token-7c1f0b9e4d2a86e35f"
TEST_JWT_SECRET = "test-jwt-signing-secret-3b8e5d1c9a7f42e6"
