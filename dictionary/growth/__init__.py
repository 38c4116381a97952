"""Growth: what people look for and do not find, what editors should do about it, recording
campaigns that give words a voice, and the progress everyone can see."""
