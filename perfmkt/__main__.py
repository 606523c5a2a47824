from perfmkt.cli import main

main()
