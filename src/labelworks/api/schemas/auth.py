"""`/auth`: login and invite acceptance."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LoginBody(BaseModel):
    email: str
    password: str


class TokenOut(BaseModel):
    token: str = Field(description="send it as 'Authorization: Bearer <token>'")


class InviteAccept(BaseModel):
    token: str
    password: str


class AccountOut(BaseModel):
    email: str
    role: str
