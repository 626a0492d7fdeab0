from finops.cli.main import main

main()
