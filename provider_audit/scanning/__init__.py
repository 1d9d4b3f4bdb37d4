"""scanning"""
