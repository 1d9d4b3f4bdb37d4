from fastapi import FastAPI

from bot.answer import classify, draft_answer

app = FastAPI()


@app.post("/tickets")
def create_ticket(body: dict) -> dict:
    text = body["text"]
    return {"category": classify(text), "draft": draft_answer(text)}
