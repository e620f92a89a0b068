from ketacost.launcher import run

if __name__ == "__main__":
    run()
