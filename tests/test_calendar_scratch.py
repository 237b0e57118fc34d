from tests.running_bot import RunningBot
from tests.test_weekly_loop import schedule


def test_scratch(bot: RunningBot) -> None:
    schedule(bot)
    report = bot.tick()
    print(report.counts)
    for f in bot.fake.files():
        print(f.filename, f.title, f.channels, f.initial_comment)
        print(bot.fake.file_text(f.file_id)[-1500:])
